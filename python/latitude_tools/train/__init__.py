"""Training the decoder: corpus, model, generation, evaluation, model card."""
