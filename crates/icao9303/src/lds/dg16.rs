//! DG16: persons to notify.
