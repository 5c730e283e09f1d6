/**
 * The community's 15-minute meter data: a seeded synthetic generator of the Lugaggia community and a
 * CSV reader/writer for real meter data in its place.
 */
export {
  CommunityDataError,
  type CommunityDataErrorCode,
  communityCsvHeader,
  formatCommunityCsv,
  parseCommunityCsv,
} from './csv.js';
export { type GenerateCommunityOptions, generateCommunity, previousMonth } from './generator.js';
export type { CommunityData, CommunityMeter } from './types.js';
