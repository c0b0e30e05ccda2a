//! Walks a journey in a browser, step by step, and reports events.

pub mod event;
pub mod result;
