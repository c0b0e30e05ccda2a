//! `vedetta schema`.

pub fn execute() -> i32 {
    eprintln!("vedetta schema: not built yet");
    crate::cli::exit::HARNESS
}
