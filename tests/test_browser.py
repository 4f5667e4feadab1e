"""A person in a browser: headless Chromium logs in to a running NetBox, presses "Sync now" on a fabric, sees the run
complete with its counts, then opens a VPC and its YAML. Screenshots are kept in test-artifacts/browser/; the
README's screenshots in docs/ (the fabric page, a sync run, an object page) are taken on the way, so they stay
current: commit them when they change.

Real processes: `netbox runserver` and `netbox rqworker` on the test database, the Kubernetes API test server over
HTTPS, and Debian's Chromium driven by Playwright (no browser download: /usr/bin/chromium).
"""
import tempfile

from django.db import connection
from playwright.sync_api import expect, sync_playwright
from users.models import User

from hedgehog_devtools.agents import put_agents
from hedgehog_devtools.processes import Processes, environment, free_port
from netbox_hedgehog.models import VPC, Fabric, SyncRun
from tests import test_e2e_scheduler as e2e
from tests.cluster import VPCS, WIRING
from tests.harness import REPO_ROOT

CHROMIUM = '/usr/bin/chromium'
ARTIFACTS = REPO_ROOT / 'test-artifacts' / 'browser'
DOCS = REPO_ROOT / 'docs'
# The README's screenshots: the visible part of a 1280x900 window, small enough to commit.
VIEWPORT = {'width': 1280, 'height': 900}
DOCS_SCREENSHOTS = ('fabric', 'sync-run', 'vpc', 'fabric-drawing')
# As the machines here need it: no sandbox as root, and no background traffic to hosts outside.
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']


class BrowserTest(e2e.SchedulerEndToEndTest):
    """Reuses the end-to-end process handling; runs only its own test."""

    def setUp(self):
        super().setUp()
        self.kube.clear()
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(VPCS)
        put_agents(self.kube)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        directory = tempfile.TemporaryDirectory(prefix='hedgehog-browser-')
        self.addCleanup(directory.cleanup)
        env = environment(PGDATABASE=connection.settings_dict['NAME'], NETBOX_ROOT=directory.name)
        self.web = Processes(directory.name, env)
        self.addCleanup(lambda: print(self.web.tails()))
        self.addCleanup(self.web.kill_all)

    def shot(self, page, name):
        page.screenshot(path=str(ARTIFACTS / f'{name}.png'), full_page=True)

    def docs_shot(self, page, name):
        page.screenshot(path=str(DOCS / f'{name}.png'))

    def test_sync_now_in_a_browser(self):
        User.objects.create_user(username='engineer', password='browser-test-password-123', is_superuser=True)
        fabric = Fabric.objects.create(name='lab', kubeconfig=self.kube.kubeconfig())
        port = free_port()
        self.web.web('web', port)
        self.web.worker('browser-worker')
        # With the sidecar running, the fabric page (and its screenshot in docs/) shows every process healthy.
        self.web.sidecar('browser-sidecar')
        base = f'http://127.0.0.1:{port}'
        self.web.wait_ready('web', 'browser-worker', 'browser-sidecar', timeout=e2e.BOOT)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(60_000)

            page.goto(f'{base}/login/')
            page.fill('input[name="username"]', 'engineer')
            page.fill('input[name="password"]', 'browser-test-password-123')
            page.click('button[type="submit"]')
            expect(page.locator('body')).to_contain_text('engineer')

            page.goto(f'{base}{fabric.get_absolute_url()}')
            expect(page.locator('h1.page-title')).to_have_text('lab')
            self.shot(page, '1-fabric-before-sync')
            page.get_by_role('button', name='Sync now').click()
            expect(page.locator('#django-messages, .toast-container')).to_contain_text('was queued on "high"')

            # The activity panel polls by itself and reloads the page once the run has finished.
            activity = page.locator('#hedgehog-sync-activity')
            expect(activity).to_contain_text('Succeeded', timeout=e2e.BOOT * 1000)
            expect(activity).to_contain_text('Nothing queued or running')
            expect(page.locator(f'a[href$="/connections/?fabric_id={fabric.pk}"]')).to_contain_text('18')
            self.shot(page, '2-fabric-after-sync')
            self.docs_shot(page, 'fabric')

            activity.locator('a', has_text='#').first.click()
            counts = page.locator('table', has_text='Unchanged')
            expect(counts).to_contain_text('Connection')
            connection_row = counts.locator('tr', has_text='Connection').first
            expect(connection_row).to_contain_text('18')
            self.shot(page, '3-sync-run')
            self.docs_shot(page, 'sync-run')

            # The fabric drawn: the miscabled link of the demo's Agents is red and leads to its connection.
            page.goto(f'{base}{fabric.get_absolute_url()}')
            drawing = page.locator('svg.hh-fabric-drawing')
            expect(drawing.locator('a.hh-node', has_text='leaf-01')).to_have_count(1)
            expect(drawing.locator('a.hh-link[data-cabling="mismatch"]')).to_have_count(1)
            drawing.scroll_into_view_if_needed()
            drawing.screenshot(path=str(DOCS / 'fabric-drawing.png'))

            page.goto(f'{base}/plugins/hedgehog/vpcs/?q=vpc-1')
            page.get_by_role('link', name='vpc-1', exact=True).first.click()
            manifest = page.locator('#manifest')
            expect(manifest).to_contain_text('kind: VPC')
            expect(manifest).to_contain_text('name: vpc-1')
            expect(manifest).to_contain_text('vlan: 1001')
            self.shot(page, '4-vpc-yaml')
            page.locator('h1.page-title').scroll_into_view_if_needed()
            self.docs_shot(page, 'vpc')
            browser.close()

        run = SyncRun.objects.get(fabric=fabric)
        self.assertEqual((run.status, run.queue, run.trigger), ('succeeded', 'high', 'manual'))
        self.assertEqual(VPC.objects.filter(fabric=fabric).count(), 2)
        self.assertTrue(all((ARTIFACTS / f'{n}.png').stat().st_size > 10_000 for n in (
            '1-fabric-before-sync', '2-fabric-after-sync', '3-sync-run', '4-vpc-yaml')))
        self.assertTrue(all(10_000 < (DOCS / f'{n}.png').stat().st_size < 400_000 for n in DOCS_SCREENSHOTS))


# Only the browser scenario runs here; the inherited scheduler scenarios run in their own module.
for _name in [n for n in dir(e2e.SchedulerEndToEndTest) if n.startswith('test_')]:
    setattr(BrowserTest, _name, None)
