"""Nothing reaches the network, whatever a theme does: proved in a network namespace whose only
resolver and web ports are recorders (tests/netns_probe.py), which see native code too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, EXAMPLE, offline_prefix, write

PROBE = Path(__file__).parent / "netns_probe.py"
RUNTIME_IMPORT = '#import ("@" + "preview/cetz:0.2.2"): *\n= Hi\n'


def in_netns(*argv: str | Path, cwd: Path) -> dict[str, Any]:
    """Run argv in a fresh user+network+mount namespace; its result and what it tried to reach."""
    unshare = shutil.which("unshare")
    assert unshare, "the network test needs util-linux's unshare"
    proc = subprocess.run(
        [unshare, "-rnm", sys.executable, PROBE, *map(str, argv)],
        cwd=cwd,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("address", [("192.0.2.1", 443), ("2001:db8::1", 80), ("example.org", 80)])
def test_the_suite_runs_with_internet_sockets_blocked(address: tuple[str, int]) -> None:
    """pytest-socket (pyproject's addopts) blocks every internet socket in the test process, so a
    test that reaches for the network fails, whatever the code under test does."""
    import socket

    from pytest_socket import SocketBlockedError

    with pytest.raises(SocketBlockedError), pytest.warns(UserWarning, match="A test tried to use socket"):
        socket.create_connection(address, timeout=1)
    with pytest.raises(SocketBlockedError), pytest.warns(UserWarning, match="A test tried to use socket"):
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_watch_tests_may_reach_the_loopback_only() -> None:
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError), pytest.warns(UserWarning, match="192.0.2.1"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)


def test_cli_runs_have_no_network() -> None:
    """run_cli (tests/conftest.py) starts every CLI run in a network namespace of its own: a
    connection from native code or Python alike finds no route."""
    prefix = offline_prefix()
    assert prefix, "`unshare -rn true` fails here: user namespaces are needed to keep CLI runs offline"
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=5)\n"
        "except OSError as e:\n    print(e)"
    )
    result = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "Network is unreachable" in result.stdout, result
    links = subprocess.run([*prefix, "cat", "/proc/self/net/dev"], capture_output=True, text=True, timeout=60)
    assert [line.split(":")[0].strip() for line in links.stdout.splitlines()[2:]] == ["lo"], links


def test_the_probe_sees_native_dns_queries(tmp_path: Path) -> None:
    """The control: Typst used directly (no cvbuild guard) does try to download, and the probe
    records its DNS query, so an empty record below means something."""
    main = write(tmp_path / "main.typ", RUNTIME_IMPORT)
    code = (
        "import typst\n"
        f"c = typst.Compiler({str(main)!r}, root={str(tmp_path)!r}, package_path={str(tmp_path)!r},"
        f" package_cache_path={str(tmp_path)!r})\n"
        "try:\n    c.compile()\nexcept Exception as e:\n    print(e)\n"
    )
    result = in_netns(sys.executable, "-c", code, cwd=tmp_path)
    assert "dns packages.typst.org" in result["seen"], result


def test_the_probe_sees_connections_to_any_address(tmp_path: Path) -> None:
    """The control for literal IPv4 addresses (no DNS): TCP and UDP to any address and port are recorded."""
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.7', 8443), timeout=1)\n"
        "except OSError:\n"
        "    pass\n"
        "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('198.51.100.9', 9999))\n"
    )
    result = in_netns(sys.executable, "-c", code, cwd=tmp_path)
    assert "tcp 192.0.2.7:8443" in result["seen"], result
    assert "udp 198.51.100.9:9999" in result["seen"], result


def test_a_run_time_package_import_reaches_nothing(tmp_path: Path) -> None:
    theme = tmp_path / "themes" / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    write(theme / "cv.typ", RUNTIME_IMPORT)
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    env = {"NO_PROXY": "*", "no_proxy": "*"}  # must not exempt the package host
    argv = ["env", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "cvbuild"]
    result = in_netns(*argv, "render", profile, "--theme", "evil", "-f", "pdf,png", cwd=tmp_path)
    assert result["seen"] == [], result
    assert result["rc"] == 2, result["stderr"]
    assert "the theme imports @preview/cetz:0.2.2, which it does not ship" in result["stderr"]
    assert not (tmp_path / "out").exists()


def test_every_format_of_both_engines_renders_offline(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "example.yaml")
    for engine in ("typst", "weasyprint"):
        formats = "pdf,html,txt,md,png" if engine == "typst" else "pdf"
        argv = [sys.executable, "-m", "cvbuild", "render", "example.yaml", "--engine", engine, "-f", formats]
        result = in_netns(*argv, "-o", f"out-{engine}", cwd=tmp_path)
        assert result["rc"] == 0, result["stderr"]
        assert result["seen"] == [], result
