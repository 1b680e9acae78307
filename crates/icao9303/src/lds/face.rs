//! Face image records: ISO/IEC 19794-5 and ISO/IEC 39794-5.
