//! End-to-end tests through the real app window.
