"""The portal's browser-test fixture: a dev chain, deployed contracts, a session manifest on it
with the page's member acting on its own, `cer-run serve` with admin enabled, the test wallet
and headless Chromium (Debian's chromium + chromium-driver, driven by selenium; no download)."""

import datetime
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import zoneinfo

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eth_account import Account  # noqa: E402
from eth_utils import to_checksum_address  # noqa: E402

import rpc as chainrpc  # noqa: E402
from wallet_proxy import WalletProxy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CER_RUN = os.environ.get("CER_RUN", os.path.join(REPO, ".build", "debug", "cer-run"))
DEVCHAIN_PY = os.path.join(REPO, "devchain", ".venv", "bin", "python")
OUT = os.path.join(REPO, ".build", "portal-test")
SCREENSHOTS = os.environ.get("CER_PORTAL_SCREENSHOTS", os.path.join(REPO, ".build", "portal-screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")
MNEMONIC = "test test test test test test test test test test test junk"
PASSWORD = "portal-test-password"
ADMIN_TOKEN = "portal-admin-token-0123456789abcdef"
CHAIN_ID = 1337

Account.enable_unaudited_hdwallet_features()


def dev_key(index):
    return Account.from_mnemonic(MNEMONIC, account_path="m/44'/60'/0'/0/%d" % index).key


def minimal_pdf(text):
    """A small valid PDF (the bytes are what matters: their keccak-256 is notarised)."""
    content = "BT /F1 18 Tf 40 760 Td (%s) Tj ET" % text
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += "%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += "xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += "".join("%010d 00000 n \n" % o for o in offsets)
    out += "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out.encode("latin-1")


def delivery_day():
    """Three days ahead (the commit deadline, D-1 18:00, is then in the future in chain time),
    moved on by a day if that is a DST change in Rome (the meter rows name 10:00 and 11:00 as
    slots 10 and 11, true on 24-slot days only)."""
    rome = zoneinfo.ZoneInfo("Europe/Rome")
    day = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=3)
    while True:
        start = datetime.datetime(day.year, day.month, day.day, tzinfo=rome)
        end = start + datetime.timedelta(days=1)
        if start.utcoffset() == end.utcoffset():
            return day.isoformat()
        day += datetime.timedelta(days=1)


class Process:
    """A child process whose stdout is read line by line (the first line tells where it listens)."""

    def __init__(self, args, log_path, env=None, cwd=REPO):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, env=env, cwd=cwd, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()
            self.lines.put(line)

    def wait_line(self, prefix, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise AssertionError("%s exited (%s) before printing %r; see %s"
                                         % (self.proc.args[0], self.proc.returncode, prefix, self.log.name))
                continue
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError("no %r line within %ss; see %s" % (prefix, timeout, self.log.name))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Portal:
    """Everything the tests share."""

    def __init__(self):
        for path in (CER_RUN, DEVCHAIN_PY, CHROMIUM, CHROMEDRIVER):
            assert os.path.exists(path), "missing %s (run `make test-portal`, which installs and builds it)" % path
        shutil.rmtree(OUT, ignore_errors=True)
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        for folder in (OUT, SCREENSHOTS, os.path.join(OUT, "keys"), os.path.join(OUT, "downloads")):
            os.makedirs(folder, exist_ok=True)
        self.downloads = os.path.join(OUT, "downloads")
        self.runs = os.path.join(OUT, "runs")
        self.processes = []
        self.network = []  # every browser request read so far (pages.network_requests)
        self.env = dict(os.environ, CER_PORTAL_PASSWORD=PASSWORD, CER_PORTAL_ADMIN_TOKEN=ADMIN_TOKEN)
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "devchain"))
        chain = Process([DEVCHAIN_PY, "-m", "cer_devchain", "--port", "0", "--chain-id", str(CHAIN_ID)],
                        os.path.join(OUT, "devchain.log"), env=env)
        self.processes.append(chain)
        line = chain.wait_line("devchain listening on ")
        self.rpc_url = line.split()[3]
        self.rpc = chainrpc.RPC(self.rpc_url)
        # Keys: a fresh operator and admin (deployer) for every run, funded by dev account 0 (the
        # server's admin journal is the run's own, --admin-journal; a fixed dev key would also
        # meet an earlier run's journal if one were left in ~/.cer-run/admin/1337/); dev account 2
        # is the page's member (the test wallet), 3 the counterparty.
        self.operator_key = Account.create().key
        self.member_key, self.carla_key = dev_key(2), dev_key(3)
        chainrpc.send(self.rpc, dev_key(0), Account.from_key(self.operator_key).address, None, [], [],
                      value=1000 * 10**18)
        self.operator = Account.from_key(self.operator_key).address
        self.member = Account.from_key(self.member_key).address
        self.carla = Account.from_key(self.carla_key).address
        self.operator_store = self.keystore(self.operator_key, "operator")
        carla_store = self.keystore(self.carla_key, "carla")
        deployed = self.cli(["deploy", "--rpc", self.rpc_url, "--chain-id", str(CHAIN_ID), "--keystore",
                             self.operator_store, "--password-env", "CER_PORTAL_PASSWORD", "--journal",
                             os.path.join(OUT, "deployments.jsonl"), "--json"])
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        addresses = json.loads(deployed.stdout.strip().splitlines()[-1])
        self.marketplace, self.token = addresses["marketplace"], addresses["token"]
        self.fund_counterparty()
        for name in ("pagina", "carla"):
            with open(os.path.join(OUT, "adesione-%s.pdf" % name), "wb") as handle:
                handle.write(minimal_pdf("Contratto di adesione CER - %s - firmato" % name))
        self.adhesion_pdf = os.path.join(OUT, "adesione-pagina.pdf")
        self.date = delivery_day()
        self.session_id = "portal-" + self.date
        self.manifest = os.path.join(OUT, "portal.yaml")
        self.write_manifest(carla_store)
        server = Process([CER_RUN, "serve", "--manifest", self.manifest, "--runs", self.runs, "--port", "0",
                          "--admin-token-env", "CER_PORTAL_ADMIN_TOKEN", "--admin-keystore", self.operator_store,
                          "--password-env", "CER_PORTAL_PASSWORD", "--admin-journal", os.path.join(OUT, "admin.jsonl")],
                         os.path.join(OUT, "serve.log"), env=self.env)
        self.processes.append(server)
        self.base_url = server.wait_line("listening on ").split()[2].rstrip("/")
        self.wallet = WalletProxy(self.rpc_url, self.member_key, CHAIN_ID)
        self.driver = self.start_browser()

    def keystore(self, key, name):
        path = os.path.join(OUT, "keys", name + ".json")
        with open(path, "w") as handle:
            json.dump(Account.encrypt(key, PASSWORD, kdf="scrypt", iterations=4096), handle)
        return path

    def cli(self, args, timeout=300):
        return subprocess.run([CER_RUN] + args, cwd=OUT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def run_session(self):
        """`cer-run run` on the fixture manifest: 75 while it waits for a deadline, 0 when done."""
        result = self.cli(["run", self.manifest, "--date", self.date, "--runs", self.runs, "--quiet"])
        with open(os.path.join(OUT, "runner.log"), "a") as log:
            log.write("$ cer-run run (exit %d)\n%s\n%s\n" % (result.returncode, result.stdout, result.stderr))
        return result

    def fund_counterparty(self):
        """Carla (an agent member) is registered, approved and funded before the run: on a chain
        that is not `dev: true` the runner funds nobody."""
        send = chainrpc.send
        send(self.rpc, self.carla_key, self.marketplace, "registerUser(bytes32)", ["bytes32"], [b"\x11" * 32])
        send(self.rpc, self.operator_key, self.marketplace, "approveMember(address)", ["address"], [self.carla])
        self.mint(self.carla, 50_000_000)
        send(self.rpc, self.carla_key, self.token, "approve(address,uint256)", ["address", "uint256"],
             [self.marketplace, 50_000_000])
        send(self.rpc, self.carla_key, self.marketplace, "deposit(uint256)", ["uint256"], [50_000_000])

    def mint(self, to, amount):
        chainrpc.send(self.rpc, self.operator_key, self.token, "mint(address,uint256)", ["address", "uint256"],
                      [to, amount])

    def balance(self, who):
        return chainrpc.call(self.rpc, self.token, "balanceOf(address)", ["address"], [who], ["uint256"])[0]

    def funds(self, who):
        return chainrpc.call(self.rpc, self.marketplace, "checkFunds(address)", ["address"], [who],
                             ["uint256", "uint256"])

    def write_manifest(self, carla_store):
        text = """# The portal's browser-test session: the page's member acts on its own (no key); carla is an
# agent member; settlement is direct, so the page's member collects with execute from the page.
version: 1
session:
  id: portal-{date}
  community: CER Portale di prova
  timezone: Europe/Rome
  delivery_day: "{date}"
  deposit: "1.00"
  seller_bond_per_kwh: "0.05"
chain: {rpc: "%(rpc)s", chain_id: %(chain)d}
contracts: {marketplace: "%(market)s", token: "%(token)s"}
operator: {keystore: "%(operator)s", password_env: CER_PORTAL_PASSWORD}
deadlines: {commit: "D-1 18:00", reveal: "D-1 20:00"}
participants:
  - id: pagina
    address: "%(member)s"
    pod: IT001E30000001
    role: prosumer
    adhesion: adesione-pagina.pdf
  - id: carla
    address: "%(carla)s"
    pod: IT001E30000002
    role: prosumer
    adhesion: adesione-carla.pdf
    key: {keystore: "%(carla_store)s", password_env: CER_PORTAL_PASSWORD}
    orders:
      - {slot: 10, side: sell, kwh: "2", price: "0.08"}
      - {slot: 11, side: buy, kwh: "1", price: "0.15"}
clearing: {plugin: uniform-price}
validation:
  source:
    csv: {files: "meters-{date}.csv"}
  missing: zero
settlement: {mode: direct}
""" % {"rpc": self.rpc_url, "chain": CHAIN_ID, "market": to_checksum_address(self.marketplace),
       "token": to_checksum_address(self.token), "operator": self.operator_store,
       "member": self.member, "carla": self.carla, "carla_store": carla_store}
        with open(self.manifest, "w") as handle:
            handle.write(text)
        # Meter data: both members deliver exactly what the clearing gives them (slots 10 and 11).
        with open(os.path.join(OUT, "meters-%s.csv" % self.date), "w") as handle:
            handle.write("pod;timestamp;withdrawal;injection\n")
            handle.write("IT001E30000001;%s 10:00;1500;0\nIT001E30000001;%s 11:00;0;1000\n" % (self.date, self.date))
            handle.write("IT001E30000002;%s 10:00;0;1500\nIT001E30000002;%s 11:00;1000;0\n" % (self.date, self.date))

    def start_browser(self):
        os.environ.setdefault("SE_OFFLINE", "true")
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1400", "--lang=it-IT", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update",
                         "--user-data-dir=" + os.path.join(OUT, "chromium-profile")):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {
            "download.default_directory": self.downloads, "download.prompt_for_download": False,
            "intl.accept_languages": "it-IT,it"})
        # The performance log carries CDP Network events: the tests read every request the page
        # sends (pages.network_requests), to any host, with its body.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER,
                                                  log_output=os.path.join(OUT, "chromedriver.log")),
                                  options=options)
        driver.set_script_timeout(60)
        with open(os.path.join(HERE, "provider.js")) as handle:
            provider = handle.read().replace("__PROXY_URL__", self.wallet.url)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": provider})
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})
        return driver

    def close(self):
        try:
            self.driver.quit()
        finally:
            self.wallet.close()
            for process in reversed(self.processes):
                process.stop()


@pytest.fixture(scope="session")
def portal():
    env = Portal()
    try:
        yield env
    finally:
        env.close()
