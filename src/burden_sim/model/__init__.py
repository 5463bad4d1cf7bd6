"""The model: unit prices and gross costs, funding keys, cost-sharing rules, the core that
applies them to arrays with a leading sample axis, metrics, labelled results, and the
`Calculator` that holds a prepared scenario."""
