#pragma once
// Private to core/io: the LZF compression filter (HDF5 filter id 32000), which h5py and therefore anndata use
// for `compression="lzf"`. libhdf5 does not ship it; we register it with liblzf so such files read.

namespace nym::h5 {

// Registers the filter with HDF5 once; safe to call repeatedly (under the library mutex).
void registerLzfFilter();

}   // namespace nym::h5
