//! Chip Authentication v1 (ICAO 9303-11 section 6.2).
