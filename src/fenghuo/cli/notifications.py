"""``fenghuo notifications``: run the escalation sweep once, replay a dead-lettered delivery."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import stdout
from fenghuo.integrations import notification_channels
from fenghuo.notification import flows
from fenghuo.notification.delivery import Deliverer
from fenghuo.notification.escalation import escalate_due

app = typer.Typer(help="Notifications: escalation and dead letters.", no_args_is_help=True)


@app.command("escalate")
def escalate(ctx: typer.Context) -> None:
    """Escalate every notification left unacknowledged past its time, once (audited)."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        escalations = escalate_due(session, cli_actor(platform))
        for escalation in escalations:
            recipients = ", ".join(r.org_id for r in escalation.recipients)
            stdout().print(f"{escalation.id}  {escalation.title}  → {recipients}", markup=False)
    stdout().print(f"{len(escalations)} escalation(s) sent")


@app.command("replay")
def replay(
    ctx: typer.Context,
    delivery_id: Annotated[str, typer.Argument(help="The dead delivery's id.")],
    now: Annotated[
        bool, typer.Option("--now/--queue", help="Attempt it at once, or leave it to the worker.")
    ] = False,
) -> None:
    """Queue a dead-lettered delivery again (audited); ``--now`` also attempts it at once."""
    with open_platform(ctx) as platform:
        with platform.transaction() as session:
            delivery = flows.replay_dead(session, cli_actor(platform), delivery_id)
            notification_id = delivery.notification_id
        stdout().print(f"delivery {delivery_id} queued again ({delivery.channel})", markup=False)
        if not now:
            return
        channels = notification_channels(platform.settings)
        deliverer = Deliverer(
            sessions=platform.session_factory,
            settings=platform.settings,
            actor=cli_actor(platform),
            channels=channels,
        )

        async def attempt() -> None:
            try:
                await deliverer.run(notification_id)
            finally:
                for channel in channels.values():
                    await channel.aclose()

        asyncio.run(attempt())
        with platform.transaction() as session:
            state = flows.status(session, cli_actor(platform), notification_id)
        for recipient in state.recipients:
            for row in recipient.deliveries:
                if row.id == delivery_id:
                    stdout().print(
                        f"delivery {delivery_id}: {row.state}"
                        + (f" ({row.last_error})" if row.last_error else ""),
                        markup=False,
                    )
