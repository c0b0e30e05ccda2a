//! `--report-json FILE`: the run as the JSON contract in README.md ("The JSON report").

use std::io::Write;
use std::path::Path;

use crate::runner::result::RunReport;

/// Writes the report atomically (a temporary file renamed into place), so a reader never sees
/// half a report, even if the run is killed while writing.
pub fn write(report: &RunReport, path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.partial");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        serde_json::to_writer_pretty(&mut file, report)?;
        file.write_all(b"\n")?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
