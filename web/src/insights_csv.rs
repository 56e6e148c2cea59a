//! The admins' insights as one CSV file in long format: a row per figure,
//! `metric,date,item,value`. Series have a date per row; top lists name
//! their item; range-wide figures leave `date` empty.
//!
//! Every text cell goes through [`cell`]: quoted when it holds a comma,
//! quote or line break, and prefixed with `'` when it starts like a
//! spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage return), so a
//! post's excerpt or a group's name can't run as a formula when an admin
//! opens the file.

use std::fmt::Write;

use node::insights::{format_day, AdminInsights};

/// The header row.
pub const HEADER: &str = "metric,date,item,value";

/// `text` as a safe CSV cell.
pub fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn row(out: &mut String, metric: &str, date: &str, item: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "{},{},{},{value}",
        cell(metric),
        cell(date),
        cell(item)
    );
}

/// The insights as CSV (`\n` line ends, a header row first).
pub fn render(i: &AdminInsights) -> String {
    let mut out = String::with_capacity(64 * i.days.len() * 6 + 4096);
    out.push_str(HEADER);
    out.push('\n');
    let series: [(&str, &Vec<i64>); 5] = [
        ("active_daily", &i.active.daily),
        ("active_weekly", &i.active.weekly),
        ("active_monthly", &i.active.monthly),
        ("signups", &i.growth.signups),
        ("members", &i.growth.cumulative),
    ];
    for (metric, values) in series {
        for (day, value) in i.days.iter().zip(values.iter()) {
            row(&mut out, metric, day, "", value);
        }
    }
    for cohort in &i.retention {
        let week = format_day(cohort.week);
        row(&mut out, "cohort_size", &week, "", cohort.size);
        for (k, (active, rate)) in cohort.active.iter().zip(&cohort.rates).enumerate() {
            let item = format!("week {k}");
            row(&mut out, "retention_active", &week, &item, active);
            row(&mut out, "retention_rate", &week, &item, rate);
        }
    }
    for p in &i.top_posts {
        let item = format!("{} by {}: {}", p.id, p.author, p.excerpt);
        row(&mut out, "top_post_likes", &p.date, &item, p.likes);
        row(&mut out, "top_post_boosts", &p.date, &item, p.boosts);
        row(&mut out, "top_post_replies", &p.date, &item, p.replies);
        row(&mut out, "top_post_score", &p.date, &item, p.score);
    }
    for g in &i.top_groups {
        row(&mut out, "top_group_posts", "", &g.name, g.posts);
        row(&mut out, "top_group_members", "", &g.name, g.members);
    }
    for e in &i.top_events {
        let item = format!("{}: {}", e.id, e.title);
        row(
            &mut out,
            "top_event_registered",
            &e.date,
            &item,
            e.registered,
        );
        row(&mut out, "top_event_attended", &e.date, &item, e.attended);
    }
    for c in &i.top_courses {
        let item = format!("{}: {}", c.id, c.title);
        row(&mut out, "top_course_learners", "", &item, c.learners);
        row(&mut out, "top_course_completed", "", &item, c.completed);
        row(
            &mut out,
            "top_course_enrolled_now",
            "",
            &item,
            c.enrolled_now,
        );
    }
    let e = &i.engagement;
    let range = format!("{}..{}", i.from, i.to);
    row(&mut out, "likes", "", &range, e.likes);
    row(&mut out, "boosts", "", &range, e.boosts);
    row(&mut out, "replies", "", &range, e.replies);
    row(&mut out, "posts", "", &range, e.posts);
    row(&mut out, "active_members", "", &range, e.active_members);
    row(
        &mut out,
        "interactions_per_active_member",
        "",
        &range,
        e.per_active_member,
    );
    row(&mut out, "interactions_per_post", "", &range, e.per_post);
    out
}

/// The attachment's file name for a range.
pub fn file_name(i: &AdminInsights) -> String {
    format!("insights-{}-{}.csv", i.from, i.to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell(""), "");
    }
}
