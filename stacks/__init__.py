"""CDK stacks: the country stack composes constructs; constructs build resources.

Configuration arrives as constructor arguments (a validated CountryConfig); nothing here reads
the environment (only app.py does).
"""
