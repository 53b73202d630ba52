export { latestPerSeries as latestOf } from '../plugin-api/latest.js';
