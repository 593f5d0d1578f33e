<?php

namespace Drupal\newsletter_hub\Form;

use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;

/**
 * Imports confirmed subscribers from a pasted CSV list.
 *
 * Each line holds an email address and, optionally, the date the person
 * subscribed on the old mailing list software.
 */
class SubscriberImportForm extends FormBase {

  /**
   * {@inheritdoc}
   */
  public function getFormId() {
    return 'newsletter_hub_subscriber_import';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state) {
    $form['csv'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Subscribers'),
      '#description' => $this->t('One per line: <code>email,YYYY-MM-DD</code>. Dates are read in your time zone.'),
      '#rows' => 12,
      '#required' => TRUE,
    ];
    $form['actions']['#type'] = 'actions';
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Import'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state) {
    $validator = \Drupal::service('email.validator');
    $database = \Drupal::database();
    $timezone = new \DateTimeZone(drupal_get_user_timezone());
    $langcode = \Drupal::languageManager()->getDefaultLanguage()->getId();
    $imported = 0;
    $skipped = 0;

    foreach (preg_split('/\R/', trim($form_state->getValue('csv'))) as $line) {
      [$mail, $date] = array_pad(str_getcsv($line), 2, '');
      $mail = strtolower(trim($mail));
      if (!$validator->isValid($mail)) {
        $skipped++;
        continue;
      }
      $created = $date ? (new \DateTime(trim($date), $timezone))->getTimestamp() : \Drupal::time()->getRequestTime();
      $database->merge('newsletter_hub_subscriber')
        ->key('mail', $mail)
        ->insertFields(['langcode' => $langcode, 'created' => $created, 'status' => 1])
        ->updateFields(['status' => 1])
        ->execute();
      $imported++;
    }

    \Drupal::logger('newsletter_hub')->notice('Imported @count subscribers.', ['@count' => $imported]);
    \Drupal::messenger()->addStatus($this->t('Imported @imported subscribers, skipped @skipped invalid lines.', [
      '@imported' => $imported,
      '@skipped' => $skipped,
    ]));
  }

}
