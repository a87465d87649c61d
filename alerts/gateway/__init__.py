"""Gateways: the SmsGateway port, Twilio, the local gateway and its page, e-mail, and the
gateway's health.
"""
