<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Plugin\Validation\Constraint;

use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Validation\Attribute\Constraint;
use Symfony\Component\Validator\Constraint as SymfonyConstraint;

/**
 * Prevents two FAQ entries from asking the same question.
 */
#[Constraint(
  id: 'FaqUniqueQuestion',
  label: new TranslatableMarkup('Unique FAQ question', options: ['context' => 'Validation']),
  type: 'entity:node',
)]
class UniqueQuestionConstraint extends SymfonyConstraint {

  /**
   * The violation message; :url links to the existing entry.
   */
  public string $message = 'This question is already answered in <a href=":url">another FAQ entry</a>.';

}
