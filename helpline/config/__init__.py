"""Country configuration: typed schema, merge of shared defaults, one-line errors."""

from helpline.config.loader import COUNTRIES_DIR, ConfigError, country_files, load_all, load_country
from helpline.config.schema import CountryConfig

__all__ = ["COUNTRIES_DIR", "ConfigError", "CountryConfig", "country_files", "load_all", "load_country"]
