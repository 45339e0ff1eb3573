/**
 * 802.11 channel number for a centre frequency in MHz, by Wireshark's table (so `wlan_radio.channel`
 * and ours agree): 2412-2472 and 2484 (2.4 GHz), 4910-4980 (4.9 GHz), 5000-5925 (5 GHz), 5950-7125
 * (6 GHz). Undefined outside them, and for 5950 MHz, which Wireshark calls channel 0 (not a channel).
 */
export function channelOfFrequency(mhz: number): number | undefined {
  if (mhz === 2484) return 14;
  let channel: number | undefined;
  if (mhz >= 2412 && mhz <= 2472) channel = Math.floor((mhz - 2407) / 5);
  else if (mhz >= 4910 && mhz <= 4980) channel = Math.floor((mhz - 4000) / 5);
  else if (mhz >= 5000 && mhz <= 5925) channel = Math.floor((mhz - 5000) / 5);
  else if (mhz >= 5950 && mhz <= 7125) channel = Math.floor((mhz - 5950) / 5);
  return channel === 0 ? undefined : channel;
}
