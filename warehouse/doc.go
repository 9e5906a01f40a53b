// Package warehouse owns where hetl's tables live: the filesystem seam (local
// disk, HDFS, and in-memory and fault-injecting filesystems for tests),
// warehouse locations, and — with the import issue — table layout, Parquet
// files, atomic publish and _SUCCESS manifests.
//
// Invariants of the filesystem seam (FS), which every implementation passes
// in the conformance suite of package warehouse/fstest:
//   - Paths are slash-separated and relative to the filesystem's root; a path
//     that escapes the root ("..") is rejected with ErrInvalidPath.
//   - Errors are *fs.PathError values that satisfy errors.Is with
//     fs.ErrNotExist, fs.ErrExist, fs.ErrPermission, ErrNotEmpty, ErrIsDir or
//     ErrNotDir, whatever the backing store.
//   - Create never replaces an existing file (fs.ErrExist). It takes the name
//     at once and the file grows as it is written, as on a local disk or
//     HDFS: readers must never look at files being written, so writers work
//     under a temporary directory and publish by renaming it.
//   - Rename never replaces its target (fs.ErrExist), for files and
//     directories alike; on HDFS a rename into an existing directory would
//     otherwise move the source inside it.
//   - A file's content is complete only after its writer's Close returned
//     nil; Close's error must always be checked (on HDFS it is where the last
//     block is acknowledged).
//
// Caveat: colinmarc/hdfs, hetl's HDFS client, does not retry addBlock when
// the namenode answers NotReplicatedYet, as the Java client does. The HDFS
// implementation therefore writes each file as a single block whose size it
// picks (CreateOptions.SizeHint, at least the default block size), and
// retries Close while the namenode reports the last block still replicating.
package warehouse
