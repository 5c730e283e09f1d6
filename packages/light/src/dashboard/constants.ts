/** How often the dashboard asks the node for new figures, ms. */
export const dashboardPollMs = 5_000;
