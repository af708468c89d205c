"""People and agencies asking for help, in and out: referrals, the service catalogue and
service links."""
