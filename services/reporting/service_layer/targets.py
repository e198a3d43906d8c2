"""Setting an insats's targets (the förbund's admins)."""

from collections.abc import Mapping

from services.reporting.domain.errors import UnknownInsats
from services.reporting.service_layer.unit_of_work import UnitOfWork


async def set_targets(uow: UnitOfWork, insats_id: str, targets: Mapping[str, int]) -> None:
    """Replace the insats's targets; raises `UnknownInsats` for an insats not registered."""
    async with uow:
        if not await uow.insatser.known(insats_id):
            raise UnknownInsats(insats_id)
        await uow.targets.replace(insats_id, targets)
        await uow.commit()
