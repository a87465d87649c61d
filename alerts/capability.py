"""SMS callout as a capability: its routes and their rules, pages, static files, settings,
tables and the dashboard panels (a new callout and the open ones; the sending status)."""

from __future__ import annotations

from pathlib import Path

from alerts import models
from alerts.callouts import pages as callout_pages
from alerts.callouts import routes as callout_routes
from alerts.callouts.dashboard_panel import panel as callout_panel
from alerts.callouts.sending_status import panel as sending_panel
from alerts.cap import routes as cap_routes
from alerts.inbound import inbox_pages, local_sms_pages
from alerts.inbound import linkmobility_routes as linkmobility_webhooks
from alerts.inbound import routes as twilio_webhooks
from alerts.reminders import models as reminder_models
from alerts.reminders.jobs import JOBS as REMINDER_JOBS
from alerts.settings import AlertSettings
from alerts.verification import http as contact_checks
from alerts.verification import models as contact_check_models
from alerts.voice import webhooks as voice_webhooks
from beredskap.platform.capability import API_PREFIX, Capability, Mount, StaticFolder, rules_of

ALERTS_DIR = Path(__file__).parent

ALERTS = Capability(
    name="alerts",
    # The webhooks before every other route: matching a path against the hundreds of others
    # cost a sixth of a delivery receipt's CPU.
    first=(
        Mount(twilio_webhooks.router),
        Mount(linkmobility_webhooks.router),
        Mount(voice_webhooks.router),
    ),
    routers=(
        Mount(callout_routes.router, API_PREFIX),
        Mount(cap_routes.router, API_PREFIX),
        Mount(local_sms_pages.router),
        Mount(inbox_pages.router),
        Mount(callout_pages.router),
        Mount(contact_checks.router),
    ),
    rules=rules_of(
        twilio_webhooks,
        linkmobility_webhooks,
        voice_webhooks,
        callout_routes,
        cap_routes,
        local_sms_pages,
        inbox_pages,
        callout_pages,
        contact_checks,
    ),
    templates=ALERTS_DIR / "web" / "templates",
    static=(StaticFolder("/static/callouts", ALERTS_DIR / "web" / "static" / "callouts"),),
    message_sources=(ALERTS_DIR,),
    settings=AlertSettings,
    models=(models, reminder_models, contact_check_models),
    jobs=REMINDER_JOBS,
    # The callout panel first: on the duty officer's phone, starting one is the first thing.
    dashboard_panels=(callout_panel, sending_panel),
    reserved_connections=twilio_webhooks.lane_connections,
)
