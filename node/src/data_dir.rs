//! The data directory belongs to the node's user alone: the store, the
//! node secret, media and the admin socket live there.
//!
//! Directories are created (and existing ones tightened) to 0700 and the
//! store's files to 0600, so another account on the machine reads none of
//! it whatever the process umask was. (Elsewhere than Unix: no-ops.)

use std::path::Path;

/// Creates `dir` and its parents; `dir` itself ends up 0700 (tightened,
/// with a warning, if it was open to others).
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(dir = %dir.display(), mode = format!("{mode:o}"), "the data directory was open to other users; setting it to 0700");
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Makes the directories under `dir` 0700 and the files 0600, however
/// deep the engine nests them (sled keeps one level, fjall a few).
pub(crate) fn restrict_files(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o700))?;
                restrict_files(&entry.path())?;
            } else if kind.is_file() {
                std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use crate::{Node, NodeConfig};

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn the_data_directory_and_store_are_private_to_the_nodes_user() {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("data");
        // An existing directory open to everyone is tightened too.
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let node = Node::open(NodeConfig::new(&dir, "k.test")).expect("open");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(
            mode(&dir.join(crate::StoreEngine::under_test().dir_name())),
            0o700
        );
        assert_eq!(mode(&dir.join(crate::node::SECRET_FILE)), 0o600);
        let mut files = 0;
        for entry in
            std::fs::read_dir(dir.join(crate::StoreEngine::under_test().dir_name())).expect("store")
        {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_file() {
                assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
                files += 1;
            }
        }
        assert!(files > 0, "the store has files");
        drop(node);
    }
}
