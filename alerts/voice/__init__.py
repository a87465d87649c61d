"""Voice fallback: a phone call (Twilio Voice) to those asked who have not answered the SMS."""
