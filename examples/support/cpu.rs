//! CPU accounting shared by the benchmarks (included with `#[path]`).

use std::time::Duration;

/// CPU time this process has used (all threads, user and system), read
/// from `/proc/self/stat` (Linux; clock ticks taken as 1/100 s). The nodes a
/// benchmark measures run in its process, so this is what they cost
/// whatever else the machine is doing.
#[allow(dead_code)]
pub fn process_cpu() -> Option<Duration> {
    cpu_of("self")
}

/// CPU time used by the process `pid` (`"self"` for this one), as
/// [`process_cpu`] reads it.
pub fn cpu_of(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name (which may hold spaces): utime and
    // stime are the 14th and 15th of the whole line.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}
