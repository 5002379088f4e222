// Select pickers kept by reconciliation: an option stays the same element while its value
// lives (relabelled in place), so a picker is never rebuilt under the user's pointer.

// Makes `select` list `options` ([value, label] pairs, in order) and show `value` when it
// is one of them (else the current choice, when still listed).
export function reconcileOptions(select, options, value = select.value) {
  const existing = new Map([...select.options].map((option) => [option.value, option]));
  options.forEach(([optionValue, label], index) => {
    let option = existing.get(optionValue);
    existing.delete(optionValue);
    if (!option) option = new Option(label, optionValue);
    if (option.text !== label) option.text = label;
    if (select.options[index] !== option) select.insertBefore(option, select.options[index] || null);
  });
  for (const stale of existing.values()) stale.remove();
  if (options.some(([optionValue]) => optionValue === value) && select.value !== value) select.value = value;
}
