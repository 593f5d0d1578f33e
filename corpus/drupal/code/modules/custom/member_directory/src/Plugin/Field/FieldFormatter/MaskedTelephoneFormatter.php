<?php

declare(strict_types=1);

namespace Drupal\member_directory\Plugin\Field\FieldFormatter;

use Drupal\Core\Field\Attribute\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Url;
use Drupal\member_directory\DirectoryVisibility;
use Drupal\user\UserInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Shows a member's telephone number as a tel: link, or masked for strangers.
 *
 * Viewers without access to contact details see only the last digits.
 */
#[FieldFormatter(
  id: 'member_directory_masked_telephone',
  label: new TranslatableMarkup('Masked telephone'),
  field_types: ['telephone'],
)]
class MaskedTelephoneFormatter extends FormatterBase {

  /**
   * The service deciding who may see full contact details.
   */
  protected DirectoryVisibility $visibility;

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    $formatter = parent::create($container, $configuration, $plugin_id, $plugin_definition);
    $formatter->visibility = $container->get('member_directory.visibility');
    return $formatter;
  }

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return ['visible_digits' => 4] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    $form['visible_digits'] = [
      '#type' => 'number',
      '#title' => $this->t('Digits left visible when masked'),
      '#min' => 0,
      '#max' => 6,
      '#default_value' => $this->getSetting('visible_digits'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    return [$this->t('Masked numbers keep @count digits', ['@count' => $this->getSetting('visible_digits')])];
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode): array {
    $member = $items->getEntity();
    $full = $member instanceof UserInterface && $this->visibility->canSeeContactDetails($member);
    $elements = [];
    foreach ($items as $delta => $item) {
      $number = trim((string) $item->value);
      if ($full) {
        $elements[$delta] = [
          '#type' => 'link',
          '#title' => $number,
          '#url' => Url::fromUri('tel:' . preg_replace('/[^\d+]/', '', $number)),
        ];
        continue;
      }
      $keep = min((int) $this->getSetting('visible_digits'), mb_strlen($number));
      $tail = $keep > 0 ? mb_substr($number, -$keep) : '';
      $elements[$delta] = [
        '#plain_text' => str_repeat('•', mb_strlen($number) - $keep) . $tail,
      ];
    }
    $elements['#cache']['contexts'][] = 'user';
    return $elements;
  }

}
