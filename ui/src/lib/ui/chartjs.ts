// The parts of Chart.js the bar charts use, registered once. Imported dynamically by
// BarChart.svelte, so Chart.js is its own chunk and only these parts are in it.

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export { Chart };
