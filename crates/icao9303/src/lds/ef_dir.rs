//! EF.DIR: the applications on the chip.
