"""Publish a rendered site into its output folder without losing anything.

The output folder itself is never replaced: its mode, owner, group, ACLs and everything in
it that kdirectory did not write (a ``CNAME``, a ``.git``, symlinks, empty folders, FIFOs)
stay exactly as they were, and it may be a mount point (a Docker volume). Only the files
listed in its manifest (``.kdirectory-manifest.json``) are ever replaced or removed.

Publishing happens in three steps, under a lock on the folder:

1. **Stage**: the new site is assembled in ``.kdirectory-staging/`` inside the folder, file
   by file as it is rendered (:class:`Stage`): changed files written, unchanged ones
   hard-linked from the live site, so a rebuild never rewrites a file whose bytes are the
   same (it keeps its inode and mtime, which rsync, uploaders and caches look at).
2. **Verify**: the caller checks the staged site (``kdirectory check``); an error stops
   here and the staging folder is removed, so the live site is untouched.
3. **Commit**: the changed files are flushed to disk (one by one, or for many of them the
   whole file system at once), a journal of the files to move in and to remove is written
   and flushed, then each changed file is renamed into place and each file the new site no
   longer has is removed, and the manifest comes last. Ctrl-C is held back during this
   short step; if the process dies in it anyway, the next build finds the journal and
   finishes the commit, so the site is always either the old one or, once the journal is
   replayed, the new one.

The manifest also carries what the caller records besides the files (the settings of the
build, what each page is, the redirects kept): ``amend`` reads the last manifest under the
lock and adds files and entries to the new one, and :func:`rewrite_manifest` edits it in
place (``kdirectory redirects --prune``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from kdirectory._atomic import atomic_write_text
from kdirectory._output import INTERNAL, JOURNAL, LOCK, MANIFEST, REDIRECTS, REMOVING, STAGING
from kdirectory.exceptions import BuildError

Manifest = dict[str, Any]
"""A manifest as read: ``files`` (relative path -> SHA-256), ``generator``, and what the
build recorded besides (see :func:`publish`)."""
Amend = Callable[[Manifest], tuple[dict[str, bytes], dict[str, Any]]]
"""Given the last manifest (``{}`` when there is none), the files to add to the new site and
the entries to record in its manifest."""


class Staged(NamedTuple):
    """One file put into the staging folder."""

    digest: str
    """Its SHA-256, as the manifest records it."""
    changed: bool
    """Whether its bytes differ from the live file's (False: the live file stays as it is,
    and nothing is staged for it)."""


@dataclass(frozen=True)
class Stage:
    """The staging folder of a build, filled file by file (from other processes too: a
    forked renderer inherits it) with the files whose bytes changed; the others stay in
    the live site, untouched (the new site is the staged files over the live ones: see
    :func:`publish`)."""

    folder: Path
    live: Path
    """The output folder, where the files that did not change stay."""
    old: Mapping[str, str]
    """The last manifest's files (relative path -> SHA-256)."""
    left: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    """The files as the last build left them (:data:`FileStats`), when the manifest is
    still the one it wrote: a live file whose size, modification time and inode are still
    these has the bytes the manifest says, and is not read again to tell."""

    def _as_left(self, name: str, live: Path) -> bool | None:
        """Whether the live file ``name`` is a regular file the last build left as it is
        (``None``: not a regular file, or gone)."""
        try:
            info = live.lstat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        return self.left.get(name) == (info.st_size, info.st_mtime_ns, info.st_ino)

    def put(self, name: str, data: bytes) -> Staged:
        """Stage ``data`` as the file ``name`` (relative to the site): nothing to stage when
        the live file has these very bytes, written otherwise (with the live file's mode).
        Putting a name again replaces what was staged; the live file is never written to.

        Raises:
            BuildError: ``name`` is not a path inside the site.
            OSError: the disk refused a write.
        """
        check_relative(name)
        digest = hashlib.sha256(data).hexdigest()
        live, target = self.live / name, self.folder / name
        if self.old.get(name) == digest and (self._as_left(name, live) or _same_bytes(live, data)):
            return Staged(digest, changed=False)
        _make_folder(target.parent)
        _write_new(target, data)
        with contextlib.suppress(OSError):  # rewriting keeps the file's mode (0664, say)
            if not live.is_symlink():
                target.chmod(stat.S_IMODE(live.stat().st_mode))
        return Staged(digest, changed=True)

    def keep(self, name: str, digest: str) -> Staged | None:
        """Keep the live file ``name`` as it is, when the last manifest and the file itself
        both say its SHA-256 is ``digest`` (a page whose inputs did not change since it was
        rendered); ``None`` otherwise (then render it and :meth:`put` it).

        Raises:
            BuildError: ``name`` is not a path inside the site.
        """
        check_relative(name)
        if self.old.get(name) != digest:
            return None
        live = self.live / name
        as_left = self._as_left(name, live)
        if as_left is None:
            return None
        if not as_left:
            try:
                if hashlib.sha256(live.read_bytes()).hexdigest() != digest:
                    return None  # edited by hand since: written anew
            except OSError:
                return None
        return Staged(digest, changed=False)


def _make_folder(folder: Path) -> None:
    """Make ``folder`` and those it is in, as needed: one system call when only it is
    missing (a page's own folder), as for most pages."""
    try:
        folder.mkdir()
    except FileExistsError:
        return
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)


Render = Callable[[Stage], Mapping[str, Staged]]
"""Puts files into the stage (:meth:`Stage.put`) and returns what it put, by name."""
Verify = Callable[[Path, Mapping[str, Staged]], None]
"""Checks the new site: the staging folder, and every file of the site, staged or not."""


@dataclass(frozen=True)
class Published:
    """What publishing changed."""

    written: int
    unchanged: int
    removed: int
    kept: list[str]
    """Entries kdirectory did not create, left as they were (a folder counts once)."""
    removing: threading.Thread | None = field(default=None, compare=False, repr=False)
    """Removing the staging folder, when publishing left that to go on meanwhile."""

    def finish(self) -> None:
        """Wait until the staging folder is removed."""
        if self.removing is not None:
            self.removing.join()


def publish(
    out: Path,
    files: Mapping[str, bytes] | None = None,
    *,
    render: Render | None = None,
    verify: Verify | None = None,
    settings: dict[str, Any] | None = None,
    wait: bool = False,
    amend: Amend | None = None,
    meanwhile: bool = False,
    left: tuple[str, FileStats] | None = None,
) -> Published:
    """Write ``files`` (``{relative path: bytes}``) and what ``render`` stages into the
    folder ``out``.

    ``render`` is called under the lock with the :class:`Stage` of the new site and puts
    its files there as it makes them (so a large site is never held in memory); it returns
    what it put. ``verify`` is called once the whole new site is staged, with the staging
    folder and every file of the new site (those not :attr:`Staged.changed` are the live
    ones, not in the staging folder), and may raise to stop publishing (the live site stays
    as it was). ``settings`` are
    recorded in the manifest for ``kdirectory check``. ``amend`` is called under the lock
    with the last manifest, before anything is staged, and returns more files for the site
    and more entries for its manifest (what depends on the last site: its redirects). With ``wait``,
    a build already writing ``out`` is waited for; otherwise it is an error. With
    ``meanwhile``, the staging folder (its folders, once its files are published) is removed
    in a thread: call :meth:`Published.finish` before returning to the user. ``left`` is
    :func:`site_state` as the last build left ``out``: while the manifest is still that one,
    a live file with the size, modification time and inode recorded there is taken to have
    the bytes the manifest says, without reading it.

    Raises:
        BuildError: ``out`` is not a folder kdirectory may write, another build is writing
            it, a file of the user's is where a page goes, or the disk refused a write
            (full, read-only); nothing was changed.
    """
    files = dict(files or {})
    for name in files:
        check_relative(name)
    out, created = _output_folder(out)
    # Before the lock file is made: a folder not ours stays untouched.
    _refuse_foreign(out, _manifest_data(out))
    try:
        with _locked(out, wait=wait):
            return _publish_locked(out, files, render, verify, settings, amend, meanwhile, left)
    except BaseException:
        if created and not (out / MANIFEST).exists():
            shutil.rmtree(out, ignore_errors=True)  # made for this build, which failed
        raise


def _refuse_foreign(out: Path, manifest: Manifest | None) -> None:
    """Refuse ``out`` when it holds files but no ``manifest`` (as read from it)."""
    if manifest is None and any(e.name not in INTERNAL for e in out.iterdir()):
        raise BuildError(
            f"{out} is not empty and was not built by kdirectory (no {MANIFEST}); "
            "refusing to write into it. Empty it or choose another --out."
        )


def _publish_locked(
    out: Path,
    files: dict[str, bytes],
    render: Render | None,
    verify: Verify | None,
    settings: dict[str, Any] | None,
    amend: Amend | None,
    meanwhile: bool,
    left: tuple[str, FileStats] | None,
) -> Published:
    _finish_interrupted(out)
    last, digest = _manifest_read(out)
    _refuse_foreign(out, last)
    old = _owned_files(last) if last is not None else {}
    as_left = left[1] if left is not None and old and digest == left[0] else {}
    recorded = dict(settings or {})
    if amend is not None:
        more, entries = amend(last or {})
        for name in more:
            check_relative(name)
            if name in files:
                raise BuildError(f"two files would be written to {name}")
        files = {**files, **more}
        recorded.update(entries)
    staging = out / STAGING
    try:
        staging.mkdir()
        stage = Stage(staging, out, old, as_left)
        staged = dict(render(stage)) if render is not None else {}
        for name, data in sorted(files.items()):
            if name in staged:
                raise BuildError(f"two files would be written to {name}")
            staged[name] = stage.put(name, data)
        hashes = {name: staged[name].digest for name in sorted(staged)}
        _refuse_clashes(out, hashes, old)
        changed = [name for name in hashes if staged[name].changed]
        manifest = {"generator": "kdirectory", **recorded, "files": hashes}
        (staging / MANIFEST).write_text(_manifest_text(manifest), encoding="utf-8")
        if verify is not None:
            verify(staging, staged)
        _sync_staged([staging / name for name in changed] + [staging / MANIFEST], staging)
        removed = sorted(name for name in old if name not in hashes)
        journal = json.dumps({"move": changed, "remove": removed})
        (staging / JOURNAL).write_text(journal, encoding="utf-8")
        _fsync([staging / JOURNAL])
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _disk_error(exc, out) from None
        raise
    try:
        with _holding_signals():
            removing = _commit(out, meanwhile=meanwhile)
    except OSError as exc:  # the journal stays: the next build finishes the commit
        raise _disk_error(exc, out) from None
    kept = _user_entries(out, hashes)
    return Published(len(changed), len(hashes) - len(changed), len(removed), kept, removing)


FileStats = dict[str, tuple[int, int, int]]
"""Each file of a published site: its size, modification time (ns) and inode."""


def site_state(out: Path) -> tuple[str, FileStats] | None:
    """The site in ``out`` as it stands: the SHA-256 of its manifest and the
    :data:`FileStats` of every file the manifest lists (those there are); ``None`` when it
    has no kdirectory manifest. The manifest is read once."""
    try:
        raw = (out / MANIFEST).read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    stats: FileStats = {}
    for name in files:
        with contextlib.suppress(OSError):
            info = (out / name).lstat()
            if stat.S_ISREG(info.st_mode):
                stats[name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return hashlib.sha256(raw).hexdigest(), stats


def unchanged(
    out: Path, manifest: str, stats: FileStats, *, wait: bool = False
) -> Published | None:
    """What publishing the site in ``out`` again would do, when it is as a build left it
    (:func:`site_state` is still ``manifest`` and ``stats``: no file edited, removed or
    replaced since, redirects not pruned), with no build half done. ``None`` otherwise:
    then build it.

    Raises:
        BuildError: another build is writing ``out`` (unless ``wait``).
    """
    if not (out / MANIFEST).is_file():
        return None
    with _locked(out, wait=wait):
        left = os.path.lexists(out / STAGING) or os.path.lexists(out / REMOVING)
        if left or site_state(out) != (manifest, stats):
            return None
        return Published(0, len(stats), 0, _user_entries(out, stats))


def check_relative(name: str) -> None:
    """Refuse a file name that is not a plain relative path inside the site.

    Raises:
        BuildError: ``name`` is absolute, climbs out with ``..``, is hidden or empty.
    """
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or not path.parts
        or name.startswith(".")
        or "\\" in name
    ):
        raise BuildError(f"refusing to write {name!r}: outside the output folder")


def _output_folder(out: Path) -> tuple[Path, bool]:
    """``out`` made absolute and created if needed; and whether it was created now."""
    out = Path(out).absolute()
    try:
        if out.exists() and not out.is_dir():
            raise BuildError(f"{out} is a file, not a folder; choose another --out")
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(
            f"cannot create the output folder {out}: {exc.strerror or exc}; choose a folder "
            "you can write to with --out"
        ) from None
    return out, created


@contextlib.contextmanager
def _locked(out: Path, *, wait: bool) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` (released when the process ends, however)."""
    try:
        handle = (out / LOCK).open("a")
    except OSError as exc:
        raise _disk_error(exc, out) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BuildError(
                f"another build is writing {out}; wait for it to finish (or pass --wait to "
                "wait for it)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(out: Path) -> Manifest | None:
    """The manifest of the site in ``out`` as it stands, or None when there is none (or it
    is not a kdirectory manifest). Its entries are the build's record: check any value
    before use."""
    return _manifest_data(Path(out))


def rewrite_manifest(out: Path, edit: Callable[[Manifest], Manifest]) -> Manifest:
    """Replace the manifest of the site in ``out`` by ``edit(manifest)``, atomically and
    under the build lock; the files of the site are left as they are. Returns the new one.

    Raises:
        BuildError: ``out`` has no kdirectory manifest, a build is writing it, or the disk
            refused the write (the manifest is then unchanged).
    """
    out = Path(out).absolute()
    if _manifest_data(out) is None:
        raise BuildError(
            f"{out} has no {MANIFEST}: it is not a site kdirectory built; pass the output "
            "folder of kdirectory build"
        )
    with _locked(out, wait=False):
        try:
            _finish_interrupted(out)  # a half-done commit would replace the manifest later
            data = _manifest_data(out)
            if data is None:
                raise BuildError(f"{out / MANIFEST} disappeared; build the site again")
            edited = edit(data)
            atomic_write_text(out / MANIFEST, _manifest_text(edited))
        except OSError as exc:
            raise _disk_error(exc, out, manifest_only=True) from None
    return edited


def _manifest_text(manifest: Manifest) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def _manifest_read(out: Path) -> tuple[Manifest | None, str | None]:
    """The manifest in ``out`` (``None``: none, or not one), read once, and the SHA-256 of
    its bytes as :func:`site_state` gives it (``None``: no file to read)."""
    try:
        raw = (out / MANIFEST).read_bytes()
    except OSError:
        return None, None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None, digest
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None, digest
    return data, digest


def _manifest_data(out: Path) -> Manifest | None:
    return _manifest_read(out)[0]


def _owned_files(data: Manifest) -> dict[str, str]:
    """The files a manifest names, those inside the folder only."""
    files = data["files"]
    # A manifest names only files inside the folder: never trust it to point elsewhere.
    owned: dict[str, str] = {}
    for name, digest in files.items():
        with contextlib.suppress(BuildError):
            check_relative(str(name))
            owned[str(name)] = str(digest)
    return owned


def _refuse_clashes(out: Path, hashes: dict[str, str], old: dict[str, str]) -> None:
    """A page must not replace a file of the user's, nor be written through a symlink."""
    checked: set[Path] = set()
    clashes = [name for name in hashes if name not in old and os.path.lexists(out / name)]
    if clashes:
        raise BuildError(
            f"{out / clashes[0]} was not written by kdirectory, but the new build has a file "
            f"at that path ({len(clashes)} such file(s)); "
            + (
                "kdirectory writes the site's redirects there: keep rules of your own outside "
                "the output folder and add them after the build"
                if clashes[0] == REDIRECTS
                else "move or delete it, or override the page with a template instead"
            )
        )
    for name in hashes:
        for parent in reversed((out / name).relative_to(out).parents[:-1]):
            folder = out / parent
            if folder in checked:
                continue
            checked.add(folder)
            if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
                raise BuildError(
                    f"{folder} is a {'symlink' if folder.is_symlink() else 'file'}, but the "
                    f"new build writes pages inside it ({name}); kdirectory never writes "
                    "through a link or over your files: move it away"
                )


def _commit(out: Path, *, meanwhile: bool = False) -> threading.Thread | None:
    """Move the staged changes into ``out`` as the journal lists them; safe to repeat.
    Then remove the staging folder; ``meanwhile``: in the thread returned."""
    staging = out / STAGING
    journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    for name in journal["move"]:
        source = staging / name
        if source.exists():  # not moved yet (a repeat after an interruption)
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            source.replace(out / name)
    for name in journal["remove"]:
        target = out / name
        if target.is_file() and not target.is_symlink():
            target.unlink()
            _prune_empty_folders(target.parent, out)
    if (staging / MANIFEST).exists():
        (staging / MANIFEST).replace(out / MANIFEST)
    _fsync_folder(out)
    if not meanwhile:
        shutil.rmtree(staging)
        return None
    _remove_left(out)
    staging.rename(out / REMOVING)  # the site is whole: what is left is empty folders
    removing = threading.Thread(target=_remove_left, args=(out,), name="kdirectory-removing")
    removing.start()
    return removing


def _remove_left(out: Path) -> None:
    """Remove a staging folder whose commit is done (:data:`REMOVING`), if there is one."""
    left = out / REMOVING
    if left.is_dir() and not left.is_symlink():
        shutil.rmtree(left, ignore_errors=True)
    elif os.path.lexists(left):
        left.unlink()


def _finish_interrupted(out: Path) -> None:
    """Finish a commit a killed build left half done, or drop its unfinished staging."""
    _remove_left(out)
    staging = out / STAGING
    if not os.path.lexists(staging):
        return
    if staging.is_dir() and not staging.is_symlink() and (staging / JOURNAL).is_file():
        _commit(out)
    elif staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging)
    else:
        staging.unlink()


def _prune_empty_folders(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not folder.is_symlink():
        try:
            folder.rmdir()
        except OSError:
            return  # not empty: something else lives there
        folder = folder.parent


def _user_entries(out: Path, hashes: Mapping[str, object]) -> list[str]:
    """Entries under ``out`` that are not the site's: a folder holding no page counts once,
    and folders holding pages are looked into."""
    folders = {str(folder) for name in hashes for folder in PurePosixPath(name).parents}
    kept: list[str] = []

    def walk(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
        for entry in entries:
            name = f"{prefix}{entry.name}"
            if not prefix and entry.name in INTERNAL:
                continue
            if name in hashes:
                continue
            if entry.is_dir(follow_symlinks=False) and name in folders:
                walk(Path(entry.path), f"{name}/")
            else:
                kept.append(name)

    walk(out, "")
    return kept


@contextlib.contextmanager
def _holding_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the commit runs (delivered right after it)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _disk_error(exc: OSError, out: Path, *, manifest_only: bool = False) -> BuildError:
    what = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    if manifest_only:
        return BuildError(f"could not rewrite {out / MANIFEST}: {what}{where}; it is unchanged")
    return BuildError(
        f"could not write the site into {out}: {what}{where}; nothing was published and the "
        "last site is unchanged"
    )


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        info = path.lstat()
        return (
            stat.S_ISREG(info.st_mode) and info.st_size == len(data) and path.read_bytes() == data
        )
    except OSError:
        return False


def _write_new(target: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``target``. A file staged there before is unlinked
    first, never written into."""
    try:
        handle = target.open("xb")
    except FileExistsError:
        target.unlink()
        handle = target.open("xb")
    with handle:
        handle.write(data)


def _fsync(paths: list[Path]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_FSYNC_EACH_UP_TO = 64
"""Past this many new files, the file system is flushed at once (``syncfs``) rather than
file by file: one call instead of thousands, each of which waits for the disk."""


def _sync_staged(paths: list[Path], staging: Path) -> None:
    """Make ``paths`` durable before the commit renames them into place."""
    if len(paths) <= _FSYNC_EACH_UP_TO or not _syncfs(staging):
        _fsync(paths)


def _syncfs(folder: Path) -> bool:
    """Flush the file system holding ``folder`` (Linux ``syncfs``); False where there is no
    such call or it failed."""
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        _fsync([folder])
