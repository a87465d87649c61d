"""What comes back: replies (parsed and applied), delivery receipts, and the signed webhooks."""
