//! Basic Access Control (ICAO 9303-11 section 4.3).
