<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Plugin\Validation\Constraint;

use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Validation\Attribute\Constraint;
use Symfony\Component\Validator\Constraint as SymfonyConstraint;

/**
 * Rejects review text that contains a word from the configured block list.
 */
#[Constraint(
  id: 'ProductReviewBlocklist',
  label: new TranslatableMarkup('Blocked words in product reviews', options: ['context' => 'Validation']),
)]
class ReviewBlocklistConstraint extends SymfonyConstraint {

  /**
   * The violation message; %word is the first blocked word found.
   */
  public string $message = 'Your review contains the word %word, which is not allowed. Please rephrase it.';

}
