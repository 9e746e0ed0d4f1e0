"""Alert and price-advice use cases shared by the JSON API, the pages, the scheduler and the demo loader."""
