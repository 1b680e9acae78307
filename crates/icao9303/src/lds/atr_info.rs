//! EF.ATR/INFO (ICAO 9303-10 section 3.11.2): the chip's capabilities, such as extended length support.
