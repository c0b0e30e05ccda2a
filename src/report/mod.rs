//! Reporters: consumers of runner events and of the finished [`RunReport`]. The runner knows
//! nothing of these formats.
//!
//! [`RunReport`]: crate::runner::result::RunReport

pub mod console;
pub mod html;
mod html_network;
pub mod json;
pub mod junit;

/// `123 ms`, `4.2 s`, `1m 05s`: durations as people read them in a terminal.
pub fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{}m {:02}s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(87), "87 ms");
        assert_eq!(human_duration(4_230), "4.2 s");
        assert_eq!(human_duration(65_000), "1m 05s");
    }
}
