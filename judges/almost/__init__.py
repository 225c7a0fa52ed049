"""ALMoST (Kim et al., 2023, "Aligning Large Language Models through Synthetic Feedback").

Synthetic comparisons without a judge: vanilla models answer the same prompts under configurations
assumed to rank (bigger model > smaller, more shots > fewer, better demonstrations > worse), and the
rubric's order becomes the preference. Stages, one module each:

- PG  prompt_generation.py   k-shot prompt mining from seed prompts with ROUGE-L dedup (rouge.py)
- RG  response_generation.py one response per configuration, few-shot demonstrations (demonstrations.py),
                             BAD responses filtered (filters.py)
- CS  comparisons.py         rubric ranks -> pairs through the Heuristic Filter (heuristic_filter.py)
- RMSP harness/steps/rmsp.py       reward-model-guided self-play demonstrations (an SFT set): a pipeline step
                             (`rmsp:` in a recipe), so it lives in the core

`source.py` registers the whole pipeline as the feedback source `almost_rubric`.
"""
