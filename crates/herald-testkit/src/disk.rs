//! Small file systems that tests can break: an ext4 disk whose power can be
//! cut, and a tmpfs that fills up. Both need root (mount, loop devices);
//! [`or_skip`] turns "cannot mount here" into a skipped test, or into a
//! failure where HERALD_TEST_REQUIRE_MOUNT=1 (as in CI).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a command; its stderr is the error.
pub fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd).args(args).output().map_err(|e| format!("{cmd}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd} {args:?}: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

fn text(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// The file system, or `None` (with a SKIPPED line) where this machine
/// cannot mount one; a panic instead with HERALD_TEST_REQUIRE_MOUNT=1.
pub fn or_skip<T>(made: Result<T, String>) -> Option<T> {
    match made {
        Ok(fs) => Some(fs),
        Err(e) if std::env::var("HERALD_TEST_REQUIRE_MOUNT").is_ok_and(|v| v == "1") => {
            panic!("a mounted test file system is required (HERALD_TEST_REQUIRE_MOUNT=1): {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: cannot mount a test file system here: {e}");
            None
        }
    }
}

/// ext4 in an image file kept on tmpfs, loop-mounted. The image file holds
/// what ext4 has written to its "disk"; what is only in the page cache is
/// not in it until written back. Copying the image while every writer is
/// frozen (SIGSTOP) is therefore a power cut: the copy keeps what was
/// synced (and whatever write-back happened to reach the disk), and
/// forgets the rest.
pub struct PowerCutDisk {
    _dir: tempfile::TempDir,
    image: PathBuf,
    mnt: PathBuf,
}

impl PowerCutDisk {
    pub fn create(size_mb: u64) -> Result<Self, String> {
        let dir = tempfile::tempdir_in("/dev/shm").map_err(|e| e.to_string())?;
        let image = dir.path().join("disk.img");
        let mnt = dir.path().join("mnt");
        std::fs::create_dir(&mnt).map_err(|e| e.to_string())?;
        std::fs::File::create(&image).and_then(|f| f.set_len(size_mb << 20)).map_err(|e| e.to_string())?;
        run("mkfs.ext4", &["-q", "-F", text(&image)])?;
        let disk = Self { _dir: dir, image, mnt };
        disk.mount()?;
        Ok(disk)
    }

    /// Where the file system is mounted.
    pub fn path(&self) -> &Path {
        &self.mnt
    }

    fn mount(&self) -> Result<(), String> {
        run("mount", &["-o", "loop", text(&self.image), text(&self.mnt)])
    }

    /// The power goes: keeps what the disk holds now. Freeze every writer
    /// first.
    pub fn cut_power(&self) -> Result<(), String> {
        std::fs::copy(&self.image, self.image.with_extension("cut")).map(|_| ()).map_err(|e| e.to_string())
    }

    /// The power comes back: the disk as it was at the cut is mounted again
    /// (ext4 replays its journal). Every writer must be gone.
    pub fn power_on(&self) -> Result<(), String> {
        run("umount", &[text(&self.mnt)])?;
        std::fs::rename(self.image.with_extension("cut"), &self.image).map_err(|e| e.to_string())?;
        self.mount()
    }
}

impl Drop for PowerCutDisk {
    fn drop(&mut self) {
        let _ = run("umount", &["-l", text(&self.mnt)]);
    }
}

/// A tmpfs of a fixed size, to fill up.
pub struct SmallDisk {
    _dir: tempfile::TempDir,
    mnt: PathBuf,
}

impl SmallDisk {
    pub fn create(size_bytes: u64) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mnt = dir.path().join("mnt");
        std::fs::create_dir(&mnt).map_err(|e| e.to_string())?;
        run("mount", &["-t", "tmpfs", "-o", &format!("size={size_bytes}"), "tmpfs", text(&mnt)])?;
        Ok(Self { _dir: dir, mnt })
    }

    pub fn path(&self) -> &Path {
        &self.mnt
    }

    /// Writes a file of zeros at `name` until the disk is full; returns its
    /// size.
    pub fn fill(&self, name: &str) -> u64 {
        use std::io::Write;
        let mut f = std::fs::File::create(self.mnt.join(name)).unwrap();
        let chunk = vec![0u8; 64 << 10];
        let mut written = 0u64;
        loop {
            match f.write(&chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => written += n as u64,
            }
        }
        let _ = f.sync_all();
        written
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = run("umount", &["-l", text(&self.mnt)]);
    }
}
