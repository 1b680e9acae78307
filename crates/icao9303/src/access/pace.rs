//! PACE (ICAO 9303-11 section 4.4): Generic, Integrated and Chip Authentication Mapping.
