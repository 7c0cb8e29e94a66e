# SPDX-License-Identifier: MIT
"""deadbyte's helpers for gdb.

Loaded by `deadbyte --gdb` (or by hand: `source deadbyte-gdb.py`):

* When the program stops in deadbyte_breakpoint() -- block N of
  `--break-at N` was just handed out -- the frame of the code that asked
  for it is selected and named, so `list`, `info locals` and `bt` start
  where the block was made.
* `deadbyte-block ADDR` shows the debug block at ADDR (a pointer that
  malloc & co. returned): its size and API id, whether its guard bytes
  are intact, and its serial number.  Given an address inside a block,
  it names and shows that block; given one in no block (0, the stack),
  it says so.
"""

import gdb

FORBIDDENBYTE = 0xFD
API_NAMES = {
    "r": "malloc", "m": "deadbyte_mem_malloc", "o": "deadbyte_obj_malloc",
    "n": "operator new", "a": "operator new[]",
}
# Functions of deadbyte between the program's call and the breakpoint.
OWN_MODULE = "libdeadbyte"


def _is_own(frame):
    """True if FRAME runs deadbyte's code (or the C++ operators it
    provides), false for the program's."""
    try:
        name = frame.name() or ""
        sal = frame.find_sal()
        filename = sal.symtab.objfile.filename if sal and sal.symtab else ""
    except gdb.error:
        return False
    if OWN_MODULE in filename:
        return True
    solib = gdb.solib_name(frame.pc()) or ""
    return OWN_MODULE in solib or name.startswith("deadbyte_breakpoint")


def _on_stop(event):
    frame = gdb.newest_frame()
    # The trap is inside deadbyte_breakpoint; find it, then the caller
    # outside deadbyte.
    found = None
    f = frame
    while f is not None:
        if (f.name() or "") == "deadbyte_breakpoint":
            found = f
            break
        f = f.older()
    if found is None:
        return
    try:
        serial = int(found.read_var("serial"))
        size = int(found.read_var("size"))
        api = chr(int(found.read_var("api")) & 0xFF)
        ptr = int(found.read_var("p"))
        what = " (%d bytes, %s) at 0x%x" % (size, API_NAMES.get(api, "?"),
                                            ptr)
    except (gdb.error, ValueError):
        serial, what = "?", ""
    caller = found.older()
    while caller is not None and _is_own(caller):
        caller = caller.older()
    print("deadbyte: stopped where block #%s%s is made" % (serial, what))
    if what:
        print("deadbyte: 'deadbyte-block 0x%x' shows the block" % ptr)
    if caller is not None:
        caller.select()
        gdb.execute("frame", to_string=False)


gdb.events.stop.connect(_on_stop)


# How far before an address deadbyte-block looks for the header of the
# block that holds it.
SCAN_LIMIT = 1 << 20
# A size field above this is not a block's (the header is not one).
MAX_PLAUSIBLE_SIZE = 1 << 40


def _read(inferior, addr, length):
    """LENGTH bytes at ADDR, or None if they cannot all be read."""
    if addr < 0 or length <= 0:
        return None
    try:
        return bytes(inferior.read_memory(addr, length))
    except (gdb.MemoryError, OverflowError, ValueError):
        return None


def _header_fields(header, word):
    """(size, API id, leading pad) of a 2-word block header."""
    return (int.from_bytes(header[:word], "big"), chr(header[word]),
            header[word + 1:])


def _looks_like_header(header, word):
    """True if HEADER is a block header: a known API id, an intact
    leading pad and a size that can be true."""
    size, api, lead = _header_fields(header, word)
    return (api in API_NAMES and size <= MAX_PLAUSIBLE_SIZE
            and all(b == FORBIDDENBYTE for b in lead))


def _block_before(inferior, addr, word):
    """(p, size) of the nearest block that starts before ADDR and within
    SCAN_LIMIT bytes of it, or None.  Reads the largest window it can."""
    window = SCAN_LIMIT
    data = None
    while window >= 2 * word:
        data = _read(inferior, addr - window, window)
        if data is not None:
            break
        window //= 2
    if data is None:
        return None
    base = addr - window
    lead = bytes([FORBIDDENBYTE]) * (word - 1)
    end = len(data)
    while True:
        i = data.rfind(lead, 0, end)
        if i < word + 1:  # no room for a size and an API id before it
            return None
        end = i + len(lead) - 1  # runs of 0xFD: step back one byte
        p = base + i + len(lead)
        if p % word or p >= addr:
            continue
        header = data[i - word - 1:i + len(lead)]
        if _looks_like_header(header, word):
            return p, _header_fields(header, word)[0]


def _block_after(inferior, addr, word):
    """(p, size) of a block whose header holds ADDR, or None."""
    data = _read(inferior, addr - 2 * word + 1, 4 * word - 1)
    if data is None:
        return None
    for p in range(addr + 1, addr + 2 * word + 1):
        if p % word:
            continue
        at = p - 2 * word - (addr - 2 * word + 1)
        header = data[at:at + 2 * word]
        if _looks_like_header(header, word):
            return p, _header_fields(header, word)[0]
    return None


def _show(inferior, addr, header, word):
    size, api, lead = _header_fields(header, word)
    print("Debug block at p=0x%x" % addr)
    print("  size field:   %d bytes" % size)
    print("  API id:       %r (%s)" % (api, API_NAMES.get(api, "not an API id of deadbyte")))
    print("  leading pad:  %s" % ("intact" if all(b == FORBIDDENBYTE for b in lead)
                                  else "DAMAGED: " + lead.hex(" ")))
    if size > MAX_PLAUSIBLE_SIZE:
        print("  (the size field is implausible: not reading the tail)")
        return
    tail = _read(inferior, addr + size, 2 * word)
    if tail is None:
        print("  trailing pad: not readable")
        return
    pad, serial = tail[:word], tail[word:]
    print("  trailing pad: %s" % ("intact" if all(b == FORBIDDENBYTE for b in pad)
                                  else "DAMAGED: " + pad.hex(" ")))
    print("  serial:       #%d (if serial numbers are on)" %
          int.from_bytes(serial, "big"))


class DeadbyteBlock(gdb.Command):
    """deadbyte-block ADDR: show the deadbyte debug block at ADDR.

ADDR is a pointer that malloc & co. returned.  For an address inside a
block (its data, trailing pad or header), names the block and shows it;
for one in no block, says so."""

    def __init__(self):
        super().__init__("deadbyte-block", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: deadbyte-block ADDR")
        ulong = gdb.lookup_type("unsigned long")
        try:
            addr = int(gdb.parse_and_eval(arg).cast(ulong))
        except gdb.error as e:
            raise gdb.GdbError("deadbyte-block: %s: %s" % (arg, e))
        inferior = gdb.selected_inferior()
        word = ulong.sizeof
        if addr == 0:
            raise gdb.GdbError("deadbyte-block: 0x0 is a null pointer, "
                               "not a block")
        header = _read(inferior, addr - 2 * word, 2 * word)
        if header is None:
            raise gdb.GdbError("deadbyte-block: 0x%x is not a block: the "
                               "%d bytes before it, where a block's header "
                               "is, cannot be read" % (addr, 2 * word))
        size, api, lead = _header_fields(header, word)
        # A known API id and one intact pad: a block, perhaps damaged at
        # the other end.
        maybe_block = api in API_NAMES and size <= MAX_PLAUSIBLE_SIZE
        if maybe_block:
            tail = _read(inferior, addr + size, word)
            if (all(b == FORBIDDENBYTE for b in lead) or
                    (tail is not None and
                     all(b == FORBIDDENBYTE for b in tail))):
                _show(inferior, addr, header, word)
                return
        found = _block_before(inferior, addr, word)
        if found is not None:
            p, size = found
            offset = addr - p
            if offset < size:
                where = "%d bytes into the data" % offset
            elif offset < size + word:
                where = "%d bytes into the trailing pad" % (offset - size)
            elif offset < size + 2 * word:
                where = ("%d bytes into the serial number (if serial "
                         "numbers are on)" % (offset - size - word))
            else:
                where = None
            if where is not None:
                print("deadbyte-block: 0x%x is not the start of a block: it "
                      "is %s of the block at p=0x%x" % (addr, where, p))
                _show(inferior, p, _read(inferior, p - 2 * word, 2 * word),
                      word)
                return
        after = _block_after(inferior, addr, word)
        if after is not None:
            p = after[0]
            print("deadbyte-block: 0x%x is not the start of a block: it is "
                  "in the header of the block at p=0x%x, %d bytes before it"
                  % (addr, p, p - addr))
            _show(inferior, p, _read(inferior, p - 2 * word, 2 * word), word)
            return
        if maybe_block:
            print("deadbyte-block: 0x%x: both pads are damaged, or it is "
                  "not a block" % addr)
            _show(inferior, addr, header, word)
            return
        nearest = ""
        if found is not None:
            nearest = ("; the nearest block before it is at p=0x%x (%d bytes)"
                       % found)
        print("deadbyte-block: 0x%x is not a deadbyte block: %r at p-%d is "
              "not an API id, and no block before it holds "
              "it%s" % (addr, api, word, nearest))
        print("  the %d bytes before it: %s" % (2 * word, header.hex(" ")))


DeadbyteBlock()


# ---- For `deadbyte --gdb`: the program's exit status, and its report
# when deadbyte stops it.  gdb's own exit status says nothing of the
# program's, so the launcher gives a file to write it to.

import os
import signal
import stat
import subprocess

_launcher = {"status_file": None, "deadbyte": None, "shown": set()}


def deadbyte_launcher_setup(status_file, deadbyte):
    """Called by the launcher (paths as bytes): where to write the
    program's status, and the launcher itself, to symbolize reports."""
    _launcher["status_file"] = os.fsdecode(status_file)
    _launcher["deadbyte"] = os.fsdecode(deadbyte)


def _record_status(text):
    """The program's status as the launcher will exit with it: "exit N",
    or "signal N" for the signal that killed or stopped it last."""
    path = _launcher["status_file"]
    if not path:
        return
    try:
        with open(path, "w") as f:
            f.write(text + "\n")
    except OSError as e:
        print("deadbyte: %s: %s" % (path, e.strerror))


def _signal_number(name):
    try:
        return int(signal.Signals[name])
    except (KeyError, ValueError):
        pass
    if name.startswith("SIG") and name[3:].isdigit():  # SIG34: real-time
        return int(name[3:])
    return None


def _open_own_report(path):
    """A descriptor of the report file PATH if a process of the program
    wrote it, as the launcher reads them back: not through a symbolic
    link, a regular file of this user with one name (the report directory
    may be one that other users write to).  None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK |
                     os.O_CLOEXEC)
    except OSError:
        return None
    st = os.fstat(fd)
    if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid()
            or st.st_nlink != 1):
        os.close(fd)
        return None
    return fd


def _show_report(pid):
    """Print the report process PID wrote before it aborted, symbolized
    as the launcher would, before gdb's prompt."""
    directory = os.environ.get("DEADBYTE_REPORT_DIR")
    if not directory or not pid:
        return
    path = os.path.join(directory, "%d.report" % pid)
    if path in _launcher["shown"]:
        return
    fd = _open_own_report(path)
    if fd is None:
        return
    _launcher["shown"].add(path)
    gdb.flush()
    deadbyte = _launcher["deadbyte"]
    try:
        if deadbyte:
            subprocess.run([deadbyte, "symbolize"], stdin=fd, stdout=2,
                           check=False)
        else:
            with os.fdopen(fd, "rb", closefd=False) as f:
                os.write(2, f.read())
    except OSError as e:
        print("deadbyte: %s: %s" % (path, e.strerror))
        return
    finally:
        os.close(fd)
    print("deadbyte: the program stopped on the report above, in:")
    _select_program_frame()


def _select_program_frame():
    """Select the newest frame of the program: not abort()'s in the C
    library, not deadbyte's."""
    frame = gdb.newest_frame()
    while frame is not None:
        solib = os.path.basename(gdb.solib_name(frame.pc()) or "")
        if not _is_own(frame) and not solib.startswith("libc."):
            frame.select()
            gdb.execute("frame", to_string=False)
            return
        frame = frame.older()


def _on_stop_record(event):
    """If gdb ends while the program is stopped, the program ends as if
    the signal that stopped it had killed it: SIGABRT for a report,
    SIGTRAP for a breakpoint (a trap gdb reports as a plain stop)."""
    number = None
    if isinstance(event, gdb.SignalEvent):
        number = _signal_number(event.stop_signal)
    else:
        try:
            number = int(gdb.parse_and_eval("$_siginfo.si_signo"))
        except (gdb.error, ValueError):
            number = int(signal.SIGTRAP)
    if number:
        _record_status("signal %d" % number)
    if number == int(signal.SIGABRT):
        _show_report(gdb.selected_inferior().pid)


def _on_exit_record(event):
    if hasattr(event, "exit_code"):
        _record_status("exit %d" % event.exit_code)
        return
    try:
        number = int(gdb.parse_and_eval("$_exitsignal"))
    except (gdb.error, ValueError):
        return
    _record_status("signal %d" % number)


def _on_run_record(event):
    """The program runs (started, or resumed): if gdb ended now -- its
    user quits, or it is sent SIGTERM -- it would kill the program."""
    _record_status("signal %d" % int(signal.SIGKILL))


gdb.events.stop.connect(_on_stop_record)
gdb.events.exited.connect(_on_exit_record)
gdb.events.new_thread.connect(_on_run_record)
gdb.events.cont.connect(_on_run_record)
