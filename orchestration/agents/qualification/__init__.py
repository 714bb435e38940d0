"""Qualification: ICP fit score, tier A-D and the reasoning behind them."""
