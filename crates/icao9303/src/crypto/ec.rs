//! Elliptic curves used by PACE and Chip Authentication: the standardized domain parameters and explicit ones.
