/** A duration between `min` and `max` (so no zero interval and no timer that overflows). */
export const boundedDuration = (min: string, max: string, description?: string): object => ({
  $ref: '#/definitions/duration',
  durationRange: [min, max],
  description: `${description ? `${description} ` : ''}From ${min} to ${max}.`,
});
