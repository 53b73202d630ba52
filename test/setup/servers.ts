// Placeholder: replaced by the storage work, which starts InfluxDB 1.x and VictoriaMetrics here.
export default async function setup(): Promise<void> {}
