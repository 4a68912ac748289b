from rest_framework.routers import SimpleRouter

from .views import LedgerCheckpointViewSet, LedgerEntryViewSet

router = SimpleRouter()
router.register("ledger-entries", LedgerEntryViewSet, basename="ledger-entry")
router.register("ledger-checkpoints", LedgerCheckpointViewSet, basename="ledger-checkpoint")

urlpatterns = router.urls
