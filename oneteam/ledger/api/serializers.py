from __future__ import annotations

from rest_framework import serializers

from oneteam.ledger.chain import ENTRY_FIELDS, checkpoint_document
from oneteam.ledger.models import LedgerCheckpoint, LedgerEntry


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = [*ENTRY_FIELDS, "hash"]
        read_only_fields = fields


class LedgerCheckpointSerializer(serializers.Serializer):
    """The exported, signed form of a checkpoint (see docs/ledger.md), plus its id."""

    id = serializers.IntegerField(read_only=True)
    type = serializers.CharField(read_only=True)
    origin = serializers.CharField(read_only=True)
    tree_size = serializers.IntegerField(read_only=True)
    root = serializers.CharField(read_only=True, help_text="Merkle root (hex), RFC 6962")
    head_hash = serializers.CharField(read_only=True, help_text="hash of entry tree_size (hex)")
    created_at = serializers.CharField(read_only=True, help_text="UTC ISO 8601, as signed")
    public_key = serializers.CharField(read_only=True, help_text="raw Ed25519 public key (hex)")
    key_id = serializers.CharField(read_only=True)
    signature = serializers.CharField(read_only=True, help_text="Ed25519 signature (hex)")

    def to_representation(self, instance: LedgerCheckpoint):
        return {"id": instance.pk, **checkpoint_document(instance)}
