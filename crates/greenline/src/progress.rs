//! Progress bars with rate and time left, on a terminal only.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar that follows a byte counter from another thread.
pub struct Progress {
    bar: ProgressBar,
    ticker: Option<std::thread::JoinHandle<()>>,
    done: Arc<std::sync::atomic::AtomicBool>,
}

impl Progress {
    pub fn bytes(label: &str, total: u64, counter: Arc<AtomicU64>) -> Progress {
        Progress::following(
            label,
            total,
            counter,
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
    }

    /// A bar that follows a counter of `what` (days, cases) from another thread.
    pub fn steps(label: &str, total: u64, counter: Arc<AtomicU64>, what: &str) -> Progress {
        let template = format!("{{msg:>10}} [{{bar:30}}] {{pos}}/{{len}} {what} ETA {{eta}}");
        Progress::following(label, total, counter, &template)
    }

    fn following(label: &str, total: u64, counter: Arc<AtomicU64>, template: &str) -> Progress {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(label.to_owned());
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ticker = {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    bar.set_position(counter.load(Ordering::Relaxed));
                    std::thread::sleep(Duration::from_millis(200));
                }
                bar.set_position(counter.load(Ordering::Relaxed));
            })
        };
        Progress {
            bar,
            ticker: Some(ticker),
            done,
        }
    }

    /// A bar without a known end: a count with its rate.
    pub fn count(label: &str) -> Progress {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} {pos} cases, {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(label.to_owned());
        Progress {
            bar,
            ticker: None,
            done: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        }
    }

    pub fn set(&self, position: u64) {
        self.bar.set_position(position);
    }

    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
        self.bar.finish_and_clear();
    }
}
