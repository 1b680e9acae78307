//! Decoding face and signature images (JPEG, JPEG 2000) to pixels and PNG.
