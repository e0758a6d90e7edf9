"""Day-ahead PV forecasts from outside (a weather service) for the controller's PvForecastSource port."""
